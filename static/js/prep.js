// Prep's own script: progressive enhancement only. Every page works without it.
// No inline scripts anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
})();
