// Prep's own script: progressive enhancement only. Every page works without it.
// No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // --- Practice keyboard shortcuts -------------------------------------------------------------
  // Elements in the session card declare their key with data-shortcut (" " for Space, "1"–"9",
  // "Enter"); pressing it clicks them. Never while the focus is in a text field, and never with
  // a modifier key, so typing an answer or using browser shortcuts is untouched.

  function isTextField(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (element.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].indexOf(type) === -1;
  }

  function handlesKeyItself(element, key) {
    // A focused button, summary or choice already acts on Space and Enter (a link on Enter
    // only): leave those keys to the browser there.
    if (!element) return false;
    var tag = element.tagName;
    if (tag === "BUTTON" || tag === "SUMMARY") return true;
    if (tag === "INPUT") return /^(checkbox|radio|button|submit)$/i.test(element.type);
    return tag === "A" && key === "Enter";
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var card = document.getElementById("session-card");
    if (!card || isTextField(event.target)) return;
    var key = event.key === "Spacebar" ? " " : event.key;
    if ((key === " " || key === "Enter") && handlesKeyItself(event.target, key)) return;
    if (card.classList.contains("htmx-added") || card.classList.contains("htmx-settling")) {
      // A card htmx has just swapped in, whose forms it has not wired yet: a click now would
      // post without htmx (a whole page load). Press the key once the card has settled.
      event.preventDefault();
      document.addEventListener("htmx:afterSettle", function () { pressShortcut(key); }, { once: true });
      return;
    }
    if (pressShortcut(key)) event.preventDefault();
  });

  function pressShortcut(key) {
    var card = document.getElementById("session-card");
    var candidates = card ? card.querySelectorAll("[data-shortcut]") : [];
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i].getAttribute("data-shortcut") === key && !candidates[i].disabled) {
        candidates[i].click();
        return true;
      }
    }
    return false;
  }

  // Ctrl+Enter (or Cmd+Enter) in an answer box sends its form.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var field = event.target;
    if (!field || field.tagName !== "TEXTAREA" || !field.form) return;
    event.preventDefault();
    if (field.form.requestSubmit) field.form.requestSubmit();
    else field.form.submit();
  });

  // --- Announcements for screen readers after htmx swaps ---------------------------------------

  function announce(text) {
    var status = document.getElementById("practice-status");
    if (!status || !text) return;
    status.textContent = "";
    // A fresh text node after a tick, so that repeating the same words is announced again.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  var lastCard = document.getElementById("session-card");

  document.addEventListener("htmx:afterSwap", function () {
    var card = document.getElementById("session-card");
    if (!card || card === lastCard) return;
    lastCard = card;
    announce(card.getAttribute("data-announce"));
    // The button that was pressed is gone: put the focus on the new card's heading (or the
    // card), so that keyboard users carry on from the right place.
    var heading = card.querySelector("h2[tabindex='-1']");
    (heading || card).focus({ preventScroll: true });
    if (card.getBoundingClientRect().top < 0) card.scrollIntoView({ block: "start" });
  });

  // Once the swap has settled, the focus may have fallen back to the page itself (a control
  // that was disabled during the request lets it go): give it back to the card's heading.
  document.addEventListener("htmx:afterSettle", function () {
    var card = document.getElementById("session-card");
    if (!card || card !== lastCard) return;
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var heading = card.querySelector("h2[tabindex='-1']");
    (heading || card).focus({ preventScroll: true });
  });

  // --- Mock interview countdown -----------------------------------------------------------------
  // The server renders the deadline and the seconds left (data-seconds-left: counting from it
  // rather than from the deadline keeps a wrong clock on this computer out of the sums); this
  // ticks every second, announces the last minutes, and at zero sends the answer being typed
  // once (the server accepts it for a few seconds after the limit, and refuses anything later).

  var warned = {};
  var sentOnTimeout = false;

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function tick() {
    var clocks = document.querySelectorAll("[data-seconds-left]");
    for (var i = 0; i < clocks.length; i++) {
      var clock = clocks[i];
      if (clock.prepDeadline === undefined) {
        var seconds = parseInt(clock.getAttribute("data-seconds-left"), 10);
        if (isNaN(seconds)) continue;
        clock.prepDeadline = Date.now() + seconds * 1000;
      }
      var left = Math.max(0, Math.ceil((clock.prepDeadline - Date.now()) / 1000));
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      clock.textContent = (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(left % 60);
      clock.setAttribute("datetime", "PT" + left + "S");
      var container = clock.closest(".countdown");
      if (container) container.classList.toggle("countdown-low", left <= 300);
      [300, 60].forEach(function (mark) {
        if (left <= mark && left > mark - 5 && !warned[mark]) {
          warned[mark] = true;
          announce((mark / 60) + (mark === 60 ? " minute" : " minutes") + " left.");
        }
      });
      if (left === 0 && !sentOnTimeout) {
        sentOnTimeout = true;
        announce("Time is up.");
        var form = document.querySelector("form[data-submit-on-timeout]");
        if (form) {
          if (form.requestSubmit) form.requestSubmit();
          else form.submit();
        }
      }
    }
  }

  if (document.getElementById("session-card")) {
    tick();
    window.setInterval(tick, 1000);
  }

  // --- When an htmx request fails -----------------------------------------------------------------
  // htmx leaves the page as it was when the answer is an error (or never comes), so without this
  // a click would seem to do nothing. Say what happened, in words, where screen readers hear it.

  var FAILURE_MESSAGES = {
    0: "We couldn't reach Prep. Check your connection, then try again: nothing was saved.",
    400: "That was too large or malformed, so nothing was saved.",
    403: "That form had expired. Reload the page and try again: nothing was saved.",
    404: "That isn't there any more. Reload the page.",
    429: "Too many attempts. Wait a while, then try again.",
    503: "Prep can't reach its database right now, so nothing was saved. Try again in a moment."
  };
  var FALLBACK_MESSAGE = "Something went wrong on our side. Reload the page and try again.";

  function showFailure(status) {
    var region = document.getElementById("request-failure");
    if (!region) {
      region = document.createElement("div");
      region.id = "request-failure";
      region.className = "messages";
      region.setAttribute("role", "alert");
      var main = document.getElementById("main");
      if (!main) return;
      main.insertBefore(region, main.firstChild);
    }
    var message = document.createElement("p");
    message.className = "message message-error";
    message.textContent = FAILURE_MESSAGES[status] || FALLBACK_MESSAGE;
    region.replaceChildren(message);
  }

  document.addEventListener("htmx:responseError", function (event) {
    showFailure(event.detail.xhr ? event.detail.xhr.status : 0);
  });
  document.addEventListener("htmx:sendError", function () { showFailure(0); });
  document.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("request-failure");
    if (region && event.detail.successful) region.remove();
  });

  // --- Scrolling boxes scroll with the keyboard too -------------------------------------------
  // A code block, a wide table or a chart that scrolls sideways (on a phone, say) takes the
  // keyboard focus while it overflows, so that the arrow keys can scroll it (WCAG 2.1.1).
  // Rendered Markdown cannot carry tabindex itself, and a box that fits needs no tab stop.

  var SCROLLERS = "pre, .table-wrap, .prose table, figure.chart";

  function markScrollers() {
    var boxes = document.querySelectorAll(SCROLLERS);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var ours = box.hasAttribute("data-scroll-focus");
      if (box.hasAttribute("tabindex") && !ours) continue;  // the template's own choice
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (ours) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    }
  }

  var resizeTimer = null;
  markScrollers();
  document.addEventListener("htmx:afterSettle", markScrollers);
  document.addEventListener("toggle", markScrollers, true);  // a <details> opened
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(markScrollers, 150);
  });
})();
