// Posting statistics for HR (jobs/statistics.py): a posting's page reports that it was seen, and each click
// on one of its apply buttons, with a beacon that sets no cookie. A page opened in a background tab or
// prerendered counts once someone looks at it. The apply links keep their own addresses.
(() => {
  // The script's own element says where to report (templates/jobs/posting_detail.html).
  const script = document.currentScript;
  if (!navigator.sendBeacon) {
    return;
  }

  const shown = () => !document.prerendering && document.visibilityState === "visible";
  const reportSeen = () => {
    if (shown()) {
      document.removeEventListener("visibilitychange", reportSeen);
      document.removeEventListener("prerenderingchange", reportSeen);
      navigator.sendBeacon(script.dataset.seenUrl);
    }
  };
  document.addEventListener("visibilitychange", reportSeen);
  document.addEventListener("prerenderingchange", reportSeen);
  reportSeen();

  // "auxclick": a middle click opens the link in a new tab.
  const reportApply = (event) => {
    if (event.target.closest("[data-apply]")) {
      navigator.sendBeacon(script.dataset.appliedUrl);
    }
  };
  document.addEventListener("click", reportApply);
  document.addEventListener("auxclick", reportApply);
})();
