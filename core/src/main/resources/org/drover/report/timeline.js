// The legend's check boxes hide and show the bars and rows of a state; the page notes when it
// has been laid out (<html data-ready, data-layout-ms>: milliseconds from navigation start).
(function () {
  var root = document.documentElement;
  var boxes = document.querySelectorAll('.legend input[data-state]');
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].addEventListener('change', function (e) {
      document.body.classList.toggle('hide-' + e.target.getAttribute('data-state'), !e.target.checked);
    });
  }
  function laidOut() {
    var height = document.body.getBoundingClientRect().height;   // forces style and layout
    root.setAttribute('data-layout-ms', String(Math.round(performance.now())));
    root.setAttribute('data-height', String(Math.round(height)));
    root.setAttribute('data-ready', '1');
  }
  if (document.readyState === 'complete') {
    laidOut();
  } else {
    window.addEventListener('load', laidOut);
  }
})();
