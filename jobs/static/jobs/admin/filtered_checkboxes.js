"use strict";
// A list of checkboxes (jobs.forms.FilteredCheckboxes) shows only the choices whose name contains what is typed into
// its filter box; the box stays hidden without JavaScript, where the whole list shows.
{
    function setUp(list) {
        const filter = list.querySelector(".filtered-checkboxes__filter");
        const input = filter.querySelector("input");
        filter.hidden = false;
        input.addEventListener("input", () => {
            const typed = input.value.trim().toLocaleLowerCase();
            for (const choice of list.querySelectorAll(".filtered-checkboxes__choices > div")) {
                choice.hidden = !choice.textContent.toLocaleLowerCase().includes(typed);
            }
        });
        // Enter in the filter box filters; it does not save the posting.
        input.addEventListener("keydown", (event) => {
            if (event.key === "Enter") {
                event.preventDefault();
            }
        });
    }

    // A choice added with the "+" beside the list (Django's RelatedObjectLookups.js adds it to a <select> only):
    // it comes first, chosen, as the server renders the chosen ones.
    function addChoice(choices, value, text) {
        const name = choices.closest(".filtered-checkboxes").dataset.name;
        const row = document.createElement("div");
        const label = document.createElement("label");
        const checkbox = document.createElement("input");
        checkbox.type = "checkbox";
        checkbox.name = name;
        checkbox.value = value;
        checkbox.id = `${choices.id}_added_${value}`;
        checkbox.checked = true;
        label.htmlFor = checkbox.id;
        label.append(checkbox, " ", text);
        row.append(label);
        choices.prepend(row);
    }

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll(".filtered-checkboxes").forEach(setUp);
        const dismissAdd = window.dismissAddRelatedObjectPopup;
        if (!dismissAdd) {
            return;
        }
        window.dismissAddRelatedObjectPopup = (win, newId, newRepr, ...rest) => {
            const element = document.getElementById(win.name.replace(/__\d+$/, ""));
            dismissAdd(win, newId, newRepr, ...rest);
            if (element && element.classList.contains("filtered-checkboxes__choices")) {
                addChoice(element, newId, newRepr);
            }
        };
    });
}
