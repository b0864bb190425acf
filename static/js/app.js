// Challenge works without JavaScript; this only tells people when an in-place update fails
// (htmx ignores error responses by default, so a refused save would otherwise look like
// nothing happened). Loaded only by base.html, which has the #htmx-error box.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("htmx-error");
  function show(message) {
    box.textContent = message;
    box.hidden = false;
    box.focus();
  }
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403) {
      show("That was refused: you may no longer do this here (the session may have been closed). Reload the page to see it as it is now. Nothing you typed has been sent.");
    } else {
      show("That did not work (error " + status + "). Reload the page and try again.");
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Check your connection and try again: what you typed is still on the page.");
  });
});
