"use strict";
// A list of checkboxes (jobs.forms.FilteredCheckboxes) shows only the choices whose name contains what is typed into
// its filter box; the box stays hidden without JavaScript, where the whole list shows.
{
    function setUp(list) {
        const filter = list.querySelector(".filtered-checkboxes__filter");
        const input = filter.querySelector("input");
        const choices = Array.from(list.querySelectorAll(".filtered-checkboxes__choices > div"));
        filter.hidden = false;
        input.addEventListener("input", () => {
            const typed = input.value.trim().toLocaleLowerCase();
            for (const choice of choices) {
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

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll(".filtered-checkboxes").forEach(setUp);
    });
}
