/* Asks before what cannot be undone, in a native <dialog>. A form marked
   data-confirm="question" (with data-confirm-detail, data-confirm-yes and
   data-confirm-no) is held back on submit; "yes" adds confirm=yes and submits
   it again (htmx then sends it as usual). Without JavaScript the same form
   posts without confirm=yes and the server answers with a confirmation page.
   A file, not inline script, for the Content-Security-Policy. */
(function () {
  "use strict";
  function confirmed(form) {
    var field = form.querySelector("input[name=confirm]");
    return field && field.value === "yes";
  }
  function ask(form) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    var title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    title.textContent = form.dataset.confirm;
    dialog.appendChild(title);
    if (form.dataset.confirmDetail) {
      var detail = document.createElement("p");
      detail.textContent = form.dataset.confirmDetail;
      dialog.appendChild(detail);
    }
    var buttons = document.createElement("form");
    buttons.method = "dialog";
    var no = document.createElement("button");
    no.value = "no";
    no.className = "secondary";
    no.textContent = form.dataset.confirmNo || "No";
    var yes = document.createElement("button");
    yes.value = "yes";
    yes.textContent = form.dataset.confirmYes || "Yes";
    buttons.appendChild(yes);
    buttons.appendChild(no);
    dialog.appendChild(buttons);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var answer = dialog.returnValue;
      dialog.remove();
      if (answer !== "yes") return;
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirm";
      field.value = "yes";
      form.appendChild(field);
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
    dialog.showModal();
    no.focus();
  }
  // Capture phase on the document: runs before htmx's own submit handler on
  // the form, and stops it until the answer is yes.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm || confirmed(form)) return;
    if (typeof HTMLDialogElement !== "function") return; // old browser: the server asks
    event.preventDefault();
    event.stopPropagation();
    ask(form);
  }, true);
})();
