// The listing's filters with htmx: short URLs, a busy state, focus kept after swaps, and a message with a
// retry when the server cannot be reached. Everything here is an improvement: without it the form still works.

const PHONE_LAYOUT = window.matchMedia("(max-width: 52rem)");

function updatesResults(event) {
  return event.detail.target && event.detail.target.id === "results";
}

// Keep the listing's URLs short: leave out the filter form's empty fields (the default sort
// order is one: its option has no value).
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.elt.id !== "filters") {
    return;
  }
  const parameters = event.detail.parameters;
  for (const name of Array.from(parameters.keys())) {
    const values = parameters.getAll(name).filter((value) => value !== "");
    parameters.delete(name);
    values.forEach((value) => parameters.append(name, value));
  }
});

// The filter form shows the state of `query` (a URLSearchParams): after a failed request, the state of the
// results still shown; before a retry, the state that was asked for.
function showInForm(query) {
  const form = document.getElementById("filters");
  for (const field of form.elements) {
    if (!field.name) {
      continue;
    }
    if (field.type === "checkbox") {
      field.checked = query.getAll(field.name).includes(field.value);
    } else if (field.tagName === "SELECT" || field.tagName === "INPUT") {
      field.value = query.get(field.name) || "";
    }
  }
}

let failedQuery = null;

function showError(event) {
  if (!updatesResults(event)) {
    return;
  }
  const path = event.detail.pathInfo && event.detail.pathInfo.finalRequestPath;
  failedQuery = new URL(path || window.location.href, window.location.href).searchParams;
  // The results and the address still show the last state that loaded: so does the form.
  showInForm(new URLSearchParams(window.location.search));
  document.getElementById("results").setAttribute("aria-busy", "false");
  document.getElementById("results-error").hidden = false;
}

document.addEventListener("htmx:responseError", showError);
document.addEventListener("htmx:sendError", showError);
document.addEventListener("htmx:timeout", showError);

document.addEventListener("click", (event) => {
  if (event.target.closest("#results-error [data-retry]") && failedQuery) {
    document.getElementById("results-error").hidden = true;
    showInForm(failedQuery);
    htmx.trigger("#filters", "submit");
  } else if (event.target.closest(".sheet__show") && PHONE_LAYOUT.matches) {
    document.getElementById("facet-sheet").hidePopover();
  }
});

// A place picked from the location field's suggestions applies at once; a typed one on Enter or leaving the field.
document.addEventListener("input", (event) => {
  if (event.target.id === "id_location" && event.inputType === "insertReplacementText") {
    htmx.trigger("#filters", "submit");
  }
});

document.addEventListener("htmx:beforeRequest", (event) => {
  if (updatesResults(event)) {
    document.getElementById("results").setAttribute("aria-busy", "true");
  }
});

document.addEventListener("htmx:afterSettle", (event) => {
  if (!updatesResults(event)) {
    return;
  }
  document.getElementById("results-error").hidden = true;
  // A removed chip or a replaced link had the focus: it goes to the heading of what is shown now.
  if (!document.activeElement || document.activeElement === document.body) {
    document.getElementById("results-heading").focus();
  }
});

// The sheet is a phone's: on a wider screen (a tablet turned) the filters are beside the results again.
PHONE_LAYOUT.addEventListener("change", () => {
  const sheet = document.getElementById("facet-sheet");
  if (!PHONE_LAYOUT.matches && sheet.matches(":popover-open")) {
    sheet.hidePopover();
  }
});
