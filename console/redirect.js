// The redirect URI's page (MSAL v5's redirect bridge): hands the sign-in answer to the console and goes back.
"use strict";
msalRedirectBridge.broadcastResponseToMainFrame().catch((error) => {
  document.body.textContent = `Sign-in failed: ${error.message}`;
});
