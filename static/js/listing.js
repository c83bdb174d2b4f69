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

// On a narrow screen the filters start folded, so the results come first.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.getElementById("facets-disclosure");
  if (filters && window.matchMedia("(max-width: 52rem)").matches) {
    filters.open = false;
  }
});
