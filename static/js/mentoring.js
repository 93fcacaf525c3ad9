// Mentoring pages: copy the invite link, and keep keyboard focus useful after htmx swaps in
// the set builder. Progressive enhancement only: everything works without this file.
(function () {
  "use strict";

  function setUpCopyButtons(root) {
    root.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
    });
    root.querySelectorAll("button[data-copy-from]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy-from"));
      var status = document.querySelector("[data-copy-status]");
      if (!input) {
        return;
      }
      function say(text) {
        if (status) {
          status.textContent = text;
        }
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        input.focus();
        input.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(
            function () {
              say("Link copied.");
            },
            function () {
              say("Press Ctrl+C (or ⌘C) to copy the selected link.");
            }
          );
        } else {
          say("Press Ctrl+C (or ⌘C) to copy the selected link.");
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopyButtons(document);
  });

  // Adding or removing a question replaces the button that had focus; send focus back to the
  // search box instead of letting it fall to the top of the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body) {
      return;
    }
    var target = event.detail && event.detail.target;
    var search = document.getElementById("set-search-q");
    if (search && target && target.id === "set-items") {
      search.focus();
    }
  });
})();
