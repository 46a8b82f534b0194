// Records every error of this page in the page itself (#page-errors, and the count in
// <html data-errors>), so that a headless browser's DOM shows whether the page worked.
(function () {
  var root = document.documentElement;
  var pending = [];
  function show(message) {
    var list = document.getElementById('page-errors');
    if (!list) { pending.push(message); return; }
    var item = document.createElement('li');
    item.textContent = message;
    list.appendChild(item);
    list.hidden = false;
  }
  function record(message) {
    root.setAttribute('data-errors', String(Number(root.getAttribute('data-errors') || '0') + 1));
    show(message);
  }
  window.addEventListener('error', function (e) {
    if (e.target && e.target !== window && e.target.tagName) {
      record('could not load ' + e.target.tagName.toLowerCase() + ' ' + (e.target.src || e.target.href || ''));
    } else {
      record('error: ' + e.message + ' (' + e.filename + ':' + e.lineno + ')');
    }
  }, true);
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
  var consoleError = console.error;
  console.error = function () {
    record('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return consoleError.apply(console, arguments);
  };
  // A report never calls alert: if anything does, a user value got through as script.
  window.alert = function (m) { root.setAttribute('data-alerted', String(m)); record('alert(' + m + ')'); };
  document.addEventListener('DOMContentLoaded', function () { pending.splice(0).forEach(show); });
})();
