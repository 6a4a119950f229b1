// VETIS: the one script, and pages work without it. It shows that an upload is under way (checking
// a large file takes a while) and keeps the button from being pressed twice.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('form[data-progress]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var p = document.getElementById(form.getAttribute('data-progress'));
      if (p) { p.hidden = false; }
      form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    });
  });
});
