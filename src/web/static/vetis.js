// VETIS: the one script, and pages work without it. It shows that an upload is under way (checking
// a large file takes a while), how many are waiting for a turn, and keeps the button from being
// pressed twice; it also reads a chosen credential file into the verify form (pasting works too),
// and saves a quality report's chapter a moment after the writer stops typing.
function watchQueue(p) {
  var note = p.querySelector('[data-queue]');
  if (!note || !window.fetch) { return; }
  var line = note.getAttribute('data-queue');
  var look = function () {
    fetch('/api/v1/queue', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (q) {
      var w = q[line] ? q[line].waiting : 0;
      note.textContent = w > 0 ? note.getAttribute('data-text').replace('{n}', w) : '';
    }).catch(function () {});
  };
  setInterval(look, 2000);
}
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('form[data-progress]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var p = document.getElementById(form.getAttribute('data-progress'));
      if (p) { p.hidden = false; watchQueue(p); }
      form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    });
  });
  document.querySelectorAll('input[type=file][data-fill]').forEach(function (input) {
    input.addEventListener('change', function () {
      var target = document.getElementById(input.getAttribute('data-fill'));
      if (!target || !input.files[0] || !window.FileReader) { return; }
      var reader = new FileReader();
      reader.onload = function () { target.value = String(reader.result).trim(); };
      reader.readAsText(input.files[0]);
    });
  });
  document.querySelectorAll('form[data-autosave]').forEach(function (form) {
    var area = form.querySelector('textarea');
    var note = form.querySelector('[data-saved]');
    var timer = null;
    if (!area || !window.fetch) { return; }
    area.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(form.action, { method: 'POST', credentials: 'same-origin', headers: { 'x-autosave': '1' }, body: new URLSearchParams(new FormData(form)) })
          .then(function (r) { if (note) { note.textContent = r.ok ? note.getAttribute('data-saved') : note.getAttribute('data-failed'); } })
          .catch(function () { if (note) { note.textContent = note.getAttribute('data-failed'); } });
      }, 1500);
    });
  });
});
