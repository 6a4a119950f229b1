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
// Every table downloads as a workbook exactly as shown: the cells' texts go to the server, which
// keeps numbers as numbers with their shown format (`/export/table.xlsx`).
function tableTitle(table) {
  var section = table.closest('section');
  var h = section ? section.querySelector('h2, h3') : null;
  var page = document.querySelector('main h1');
  return [page ? page.textContent.trim() : document.title, h ? h.textContent.trim() : ''].filter(Boolean).join(' · ');
}
function cellText(c) { return (c.innerText || c.textContent || '').replace(/\s+/g, ' ').trim(); }
function tablePayload(table) {
  var head = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
  var columns = head ? Array.prototype.map.call(head.cells, cellText) : [];
  var rows = [];
  Array.prototype.forEach.call(table.tBodies, function (b) {
    Array.prototype.forEach.call(b.rows, function (r) { rows.push(Array.prototype.map.call(r.cells, cellText)); });
  });
  return { title: tableTitle(table), columns: columns, rows: rows };
}
window.vetisTablePayload = tablePayload;
function exportTable(table) {
  fetch('/export/table.xlsx', {
    method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(tablePayload(table))
  }).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.blob(); }).then(function (blob) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = (tableTitle(table) || 'table').replace(/[\\/:*?"<>|]/g, '_').slice(0, 80) + '.xlsx';
    document.body.appendChild(a); a.click(); a.remove();
  }).catch(function () {});
}
document.addEventListener('DOMContentLoaded', function () {
  var label = document.body.getAttribute('data-xlsx');
  if (!label || !window.fetch) { return; }
  document.querySelectorAll('table.grid:not([data-no-export])').forEach(function (table) {
    var b = document.createElement('button');
    b.type = 'button'; b.className = 'xlsx no-print'; b.textContent = label;
    b.addEventListener('click', function () { exportTable(table); });
    var holder = table.parentElement && table.parentElement.classList.contains('scroll') ? table.parentElement : table;
    holder.parentElement.insertBefore(b, holder.nextSibling);
  });
  // A print button on every signed-in page; the print stylesheet lays the page out for A4.
  var who = document.querySelector('header .who');
  if (who && document.body.getAttribute('data-print')) {
    var p = document.createElement('button');
    p.type = 'button'; p.className = 'no-print'; p.textContent = document.body.getAttribute('data-print');
    p.addEventListener('click', function () { window.print(); });
    who.insertBefore(p, who.firstChild);
  }
  var stamp = document.createElement('p');
  stamp.className = 'print-only printed';
  stamp.textContent = document.body.getAttribute('data-printed') + ' ' + new Date().toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' });
  var main = document.querySelector('main');
  if (main) { main.insertBefore(stamp, main.firstChild); }
});
