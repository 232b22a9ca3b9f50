// The console: sign-in with MSAL (authorization code + PKCE; tokens in MSAL's sessionStorage cache,
// never in a URL), the admin API with the token, and the views of views.js chosen by the URL's hash.
"use strict";

const STATUSES = ["queued", "running", "awaiting_approval", "awaiting_release", "resolved", "escalated", "failed",
  "cancelled", "planned"];
const SETTLED = ["resolved", "escalated", "failed", "cancelled", "planned"];
const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let auth = null;
let config = null;
let caller = { name: "", admin: false };
let refresh = null;

async function token() {
  const account = auth.getActiveAccount();
  try {
    return (await auth.acquireTokenSilent({ scopes: config.scopes, account })).accessToken;
  } catch (error) {
    if (error instanceof msal.InteractionRequiredAuthError) await auth.acquireTokenRedirect({ scopes: config.scopes });
    throw error;
  }
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${await token()}` };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers, body: options.body && JSON.stringify(options.body) });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status} ${body.detail || body.title || response.statusText}`);
  return body;
}

function show(...nodes) {
  $("error").hidden = true;
  $("main").replaceChildren(...nodes.flat().filter(Boolean));
}

function fail(error) {
  $("error").textContent = `Error: ${error.message}`;
  $("error").hidden = false;
}

function route() {
  const [path, query] = (location.hash.slice(1) || "/senders").split("?");
  return { path, query: Object.fromEntries(new URLSearchParams(query || "")) };
}

async function sendersView() {
  const { items } = await api("/api/restricted-senders");
  show(Views.el("h2", {}, "Restricted senders"), Views.senders(items));
}

async function allJobs(query) {
  const params = new URLSearchParams({ limit: "200" });
  for (const name of ["user", "status"]) if (query[name]) params.set(name, query[name]);
  let page = await api(`/api/remediations?${params}`);
  const items = [...page.items];
  for (let pages = 1; page.nextLink && pages < 5; pages += 1) {
    page = await api(new URL(page.nextLink).pathname + new URL(page.nextLink).search);
    items.push(...page.items);
  }
  // The API filters by user and status; the time window is applied here, on createdAt.
  const since = query.since ? new Date(query.since) : null;
  const until = query.until ? new Date(query.until) : null;
  return items.filter((job) => (!since || new Date(job.createdAt) >= since) && (!until || new Date(job.createdAt) <= until));
}

async function jobsView(query) {
  const filters = Views.jobFilters(query, STATUSES);
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(filters)].filter(([, value]) => value));
    location.hash = `#/jobs?${new URLSearchParams(chosen)}`;
  });
  const nodes = [Views.el("h2", {}, "Jobs")];
  if (caller.admin) nodes.push(startForm());
  show(nodes, filters, Views.jobs(await allJobs(query)));
}

function startForm() {
  const form = Views.startForm();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    api("/api/remediations", { method: "POST", body: { user: data.user, reason: data.reason || undefined } })
      .then((job) => { location.hash = `#/job/${encodeURIComponent(job.id)}`; })
      .catch(fail);
  });
  return form;
}

async function jobView(id) {
  const job = await api(`/api/remediations/${encodeURIComponent(id)}`);
  const nodes = Views.timeline(job, caller.admin);
  show(nodes);
  const form = $("decide");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const action = event.submitter.value;
      const comment = new FormData(form).get("comment");
      api(`/api/remediations/${encodeURIComponent(id)}/${action}`,
        { method: "POST", body: action === "rollback" ? { reason: comment } : { comment } }).then(render).catch(fail);
    });
  }
  if (!SETTLED.includes(job.status)) refresh = setTimeout(refreshJob, REFRESH_MS);
}

// A job still running is read again every few seconds, unless an admin is writing a comment on it.
function refreshJob() {
  const form = $("decide");
  const writing = form && (form.contains(document.activeElement) || new FormData(form).get("comment"));
  if (writing) refresh = setTimeout(refreshJob, REFRESH_MS);
  else render();
}

async function statusBar() {
  const info = await api("/api/status");
  caller = info.caller;
  $("status").replaceChildren(...Views.status(info));
  $("who").textContent = `${caller.name} · ${caller.admin ? "admin" : "reader (read only)"}`;
}

async function render() {
  clearTimeout(refresh);
  if (!auth || !auth.getActiveAccount()) return;
  const { path, query } = route();
  try {
    await statusBar();
    if (path.startsWith("/job/")) await jobView(decodeURIComponent(path.slice(5)));
    else if (path === "/jobs") await jobsView(query);
    else await sendersView();
  } catch (error) {
    fail(error);
  }
}

function signedIn(account) {
  auth.setActiveAccount(account);
  $("sign-in").hidden = true;
  $("sign-out").hidden = false;
  $("views").hidden = false;
  render();
}

async function start() {
  config = await (await fetch("/console/config.json")).json();
  if (!config.clientId) {
    fail(new Error("Sign-in is not configured: set CONSOLE_CLIENT_ID (see the README)."));
    return;
  }
  const host = new URL(config.authority).host;
  auth = new msal.PublicClientApplication({
    auth: { clientId: config.clientId, authority: config.authority, knownAuthorities: [host], redirectUri: config.redirectUri },
    cache: { cacheLocation: "sessionStorage" },
  });
  await auth.initialize();
  const result = await auth.handleRedirectPromise();
  $("sign-in").addEventListener("click", () => auth.loginRedirect({ scopes: config.scopes }).catch(fail));
  $("sign-in").disabled = false;   // usable once it does something
  $("sign-out").addEventListener("click", () => {
    auth.clearCache().then(() => location.reload()).catch(fail);
  });
  // A new view takes the keyboard focus to its content, as a page load would.
  window.addEventListener("hashchange", () => render().then(() => $("main").focus()));
  const account = (result && result.account) || auth.getAllAccounts()[0];
  if (account) signedIn(account);
}

start().catch(fail);
