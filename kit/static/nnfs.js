// Downloads that download (added by kit/nnfs_site.py to every page).
//
// 1. The theme's ".ipynb" and course-kit header buttons are plain links that open in a new tab;
//    give them a download attribute so they save the file instead.
// 2. Opened from disk (file://), Chromium ignores the download attribute (each file is its own
//    origin) and shows a notebook's JSON in the tab. There, a click on a notebook download loads
//    NAME.ipynb.js (written next to each notebook at build time; a <script> may load from disk
//    where fetch() may not), which calls nnfsSave(text); the text is saved from a blob: URL,
//    which belongs to the page, so the download attribute is honoured. Zip and wheel files need
//    none of this: browsers never display them.
(function () {
  "use strict";
  let pending = null;   // the file name the next nnfsSave() call saves under

  window.nnfsSave = function (text) {
    if (!pending) return;
    const url = URL.createObjectURL(new Blob([text], {type: "application/x-ipynb+json"}));
    const link = document.createElement("a");
    link.href = url;
    link.download = pending;
    pending = null;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };

  function fileName(link) {
    return decodeURIComponent(new URL(link.href).pathname.split("/").pop());
  }

  function markDownloads() {
    document.querySelectorAll("a.btn-download-notebook-button, a.btn-download-kit-button")
      .forEach(link => {
        link.setAttribute("download", fileName(link));
        link.removeAttribute("target");
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markDownloads);
  else markDownloads();

  if (location.protocol === "file:") {
    document.addEventListener("click", event => {
      const link = event.target.closest && event.target.closest("a[download]");
      if (!link || !/\.ipynb$/i.test(new URL(link.href).pathname)) return;
      event.preventDefault();
      pending = link.getAttribute("download") || fileName(link);
      const script = document.createElement("script");
      script.src = link.href + ".js";
      script.onload = script.onerror = () => script.remove();
      document.head.appendChild(script);
    }, true);
  }
})();
