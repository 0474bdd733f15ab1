// Fills the invitation code from the link's fragment (/accounts/join/#code=...).
// Browsers never send a fragment to the server, so the code stays out of access
// logs and proxies; it is then removed from the address bar and the history.
(function () {
  "use strict";
  var match = /(?:^#|&)code=([A-Za-z0-9-]{1,40})(?:&|$)/.exec(window.location.hash);
  if (!match) {
    return;
  }
  var field = document.getElementById("id_code");
  if (field && !field.value) {
    field.value = match[1].toUpperCase();
  }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
})();
