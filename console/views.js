// The console's views, built with DOM calls only: every value from the API (rule names, subjects,
// display names: the attacker's words) becomes text, never markup.
"use strict";

const Views = (() => {
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function text(value) {
    if (value === null || value === undefined || value === "") return "—";
    return typeof value === "object" ? JSON.stringify(value, null, 2) : String(value);
  }

  function table(caption, columns, rows) {
    const head = el("thead", {}, el("tr", {}, columns.map(([label]) => el("th", { scope: "col" }, label))));
    const body = el("tbody", {}, rows.map((row) => el("tr", {}, columns.map(([label, cell]) => {
      const value = cell(row);
      return el("td", { "data-label": label }, value instanceof Node ? value : text(value));
    }))));
    return el("table", {}, el("caption", {}, el("h3", {}, caption)), head, body);
  }

  const jobLink = (id, label) => (id ? el("a", { href: `#/job/${encodeURIComponent(id)}` }, label || id) : "—");
  const state = (value) => el("span", { class: `state-${value}` }, text(value));

  function senders(items) {
    if (!items.length) return el("p", {}, "No sender is restricted now.");
    return table("Blocked now", [
      ["Sender", (item) => item.senderAddress],
      ["Blocked at", (item) => item.createdDatetime],
      ["Reason", (item) => item.reason],
      ["Job", (item) => jobLink(item.jobId)],
      ["Job status", (item) => (item.jobStatus ? state(item.jobStatus) : "no job")],
    ], items);
  }

  function jobs(items) {
    if (!items.length) return el("p", {}, "No job matches.");
    return table("Jobs", [
      ["User", (job) => jobLink(job.id, job.user)],
      ["Status", (job) => state(job.status)],
      ["Mode", (job) => job.mode],
      ["Trigger", (job) => job.trigger.source],
      ["Created", (job) => job.createdAt],
      ["Updated", (job) => job.updatedAt],
    ], items);
  }

  function field(label, control) {
    return el("label", {}, label, control);
  }

  function jobFilters(query, statuses) {
    const status = el("select", { name: "status" }, el("option", { value: "" }, "any"),
      statuses.map((name) => el("option", { value: name, selected: query.status === name }, name)));
    return el("form", { class: "filters", role: "search", "aria-label": "Filter jobs" },
      field("Status", status),
      field("User", el("input", { name: "user", type: "email", value: query.user || "", autocomplete: "off" })),
      field("Created after", el("input", { name: "since", type: "datetime-local", value: query.since || "" })),
      field("Created before", el("input", { name: "until", type: "datetime-local", value: query.until || "" })),
      el("button", { type: "submit" }, "Filter"));
  }

  function startForm() {
    return el("form", { class: "action", id: "start", "aria-label": "Start a job" },
      field("User to remediate", el("input", { name: "user", type: "email", required: true, autocomplete: "off" })),
      field("Reason", el("input", { name: "reason", type: "text", maxlength: "500" })),
      el("button", { type: "submit" }, "Start a job"));
  }

  function steps(job) {
    return table("Steps", [
      ["Step", (step) => step.name],
      ["Status", (step) => state(step.status)],
      ["Started", (step) => step.startedAt],
      ["Ended", (step) => step.endedAt],
      ["Detail", (step) => step.detail],
    ], job.steps);
  }

  function changes(job) {
    // The snapshot holds what each step saw before it changed anything; the step's data what it did.
    const rows = job.steps.filter((step) => job.snapshot[step.name] !== undefined || Object.keys(step.data || {}).length);
    if (!rows.length) return el("p", {}, "Changes: none recorded.");
    return table("Changes: before and after", [
      ["Step", (step) => step.name],
      ["Before (snapshot)", (step) => el("pre", {}, text(job.snapshot[step.name]))],
      ["After (what the step did)", (step) => el("pre", {}, text(step.data))],
    ], rows);
  }

  function audit(job) {
    if (!job.audit.length) return el("p", {}, "Audit trail: no tenant action yet.");
    return table("Audit trail", [
      ["When", (item) => item.at], ["Who", (item) => item.actor], ["What", (item) => item.action],
      ["Target", (item) => item.target], ["Why", (item) => item.why], ["Result", (item) => item.result],
    ], job.audit);
  }

  function decisions(job) {
    if (!job.decisions.length) return el("p", {}, "Decisions: none yet.");
    return table("Decisions", [
      ["When", (item) => item.at], ["Who", (item) => item.by], ["Decision", (item) => item.decision],
      ["Comment", (item) => item.comment || item.reason],
    ], job.decisions);
  }

  function checks(job) {
    if (!job.checks.length) return null;
    return table("Follow-up checks", [["When", (item) => item.at], ["Outcome", (item) => el("pre", {}, text(item))]],
      job.checks);
  }

  // Rollback (a false positive): for an enforce job that has finished its changes; the comment is its reason.
  const ACTIONS = [
    { name: "approve", label: "Approve", when: (job) => job.status === "awaiting_approval" },
    { name: "cancel", label: "Cancel the job", when: (job) => !["resolved", "escalated", "failed", "cancelled", "planned"].includes(job.status) },
    { name: "rollback", label: "Roll back (false positive)", when: (job) => job.mode === "enforce" && ["awaiting_release", "resolved", "escalated", "failed"].includes(job.status) },
  ];

  function actions(job) {
    const usable = ACTIONS.filter((action) => action.when(job));
    if (!usable.length) return null;
    return el("form", { class: "action", id: "decide", "aria-label": "Decide on this job" },
      field("Comment (why)", el("input", { name: "comment", type: "text", maxlength: "500" })),
      usable.map((action) => el("button", { type: "submit", name: "action", value: action.name }, action.label)));
  }

  function timeline(job, admin) {
    return [
      el("h2", {}, `Job for ${job.user}`),
      el("p", {}, "Status: ", state(job.status), ` · mode ${job.mode} · started by ${job.trigger.source}`,
        job.trigger.requestedBy ? ` (${job.trigger.requestedBy})` : "", ` · created ${job.createdAt}`),
      el("p", { class: "summary" }, text(job.summary)),
      admin ? actions(job) : null,
      steps(job), changes(job), audit(job), decisions(job), checks(job),
    ];
  }

  function status(info) {
    const mode = el("span", { class: info.mode }, `Mode: ${info.mode}`);
    const breaker = info.breaker.open
      ? el("span", { class: "breaker-open" }, `Breaker open (${info.breaker.automaticJobsThisHour} automatic jobs this hour, limit ${info.breaker.maxJobsPerHour})`)
      : el("span", {}, `Breaker closed (${info.breaker.automaticJobsThisHour}/${info.breaker.maxJobsPerHour} automatic jobs this hour)`);
    return [mode, " · ", breaker];
  }

  return { el, senders, jobs, jobFilters, startForm, timeline, status };
})();
