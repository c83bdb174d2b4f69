/*
 * Move buttons for the posting admin's ordered items (responsibilities, requirements, …).
 *
 * Rows are moved on the page with everything typed in them, and the position fields are
 * renumbered 1, 2, 3… in the order shown; saving stores that order. Without JavaScript
 * the position fields are typed by hand. Rows that are still empty keep an empty
 * position, so that they stay unsubmitted.
 */
"use strict";
{
    const t = window.gettext || ((text) => text);

    function formRows(group) {
        return Array.from(group.querySelectorAll("tbody > tr.form-row:not(.empty-form)"));
    }

    function positionInput(row) {
        return row.querySelector("td.field-position input");
    }

    function hasContent(row) {
        if (row.classList.contains("has_original")) {
            return true;
        }
        return Array.from(row.querySelectorAll("td.field-text input, td.field-text textarea")).some(
            (input) => input.value.trim() !== "",
        );
    }

    function renumber(group) {
        let position = 0;
        for (const row of formRows(group)) {
            const input = positionInput(row);
            if (input) {
                input.value = hasContent(row) ? String(++position) : "";
            }
        }
    }

    // A row's errors are shown in the table row just above it: they move together.
    function placeBefore(row, reference) {
        const errors = row.previousElementSibling;
        const tbody = row.parentNode;
        if (errors && errors.classList.contains("row-form-errors")) {
            tbody.insertBefore(errors, reference);
        }
        tbody.insertBefore(row, reference);
    }

    function startOf(row) {
        const errors = row.previousElementSibling;
        return errors && errors.classList.contains("row-form-errors") ? errors : row;
    }

    function sortRows(group, key) {
        const rows = formRows(group);
        const template = group.querySelector("tbody > tr.empty-form");
        const sorted = rows
            .map((row, index) => ({row, index, key: key(row)}))
            .sort((a, b) => a.key - b.key || a.index - b.index);
        for (const {row} of sorted) {
            placeBefore(row, template ? startOf(template) : null);
        }
    }

    function byPosition(row) {
        const value = positionInput(row)?.value;
        return value ? Number(value) : Number.MAX_SAFE_INTEGER;
    }

    function byFormIndex(row) {
        return Number(row.id.split("-").pop());
    }

    function move(row, direction) {
        const rows = formRows(row.closest(".inline-group"));
        const index = rows.indexOf(row);
        const other = rows[index + direction];
        if (!other) {
            return;
        }
        if (direction < 0) {
            placeBefore(row, startOf(other));
        } else {
            placeBefore(other, startOf(row));
        }
    }

    function addButtons(row) {
        const cell = row.querySelector("td.field-position");
        if (!cell || cell.querySelector(".item-move")) {
            return;
        }
        const buttons = document.createElement("span");
        buttons.className = "item-move";
        for (const [direction, symbol, label] of [
            [-1, "↑", t("Move up")],
            [1, "↓", t("Move down")],
        ]) {
            const button = document.createElement("button");
            button.type = "button";
            button.dataset.move = String(direction);
            button.textContent = symbol;
            button.title = label;
            button.setAttribute("aria-label", label);
            buttons.append(button);
        }
        cell.append(buttons);
    }

    function setUp(group) {
        group.querySelectorAll("tbody > tr.form-row").forEach(addButtons);
        sortRows(group, byPosition);
        group.addEventListener("click", (event) => {
            const button = event.target.closest("button[data-move]");
            if (!button) {
                return;
            }
            const row = button.closest("tr");
            move(row, Number(button.dataset.move));
            renumber(group);
            button.focus();
        });
        group.addEventListener("input", (event) => {
            const row = event.target.closest("tr.form-row");
            if (event.target.closest("td.field-text") && row && !positionInput(row).value) {
                renumber(group);
            }
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        const groups = Array.from(document.querySelectorAll(".inline-group")).filter((group) =>
            group.querySelector("fieldset.ordered-items"),
        );
        groups.forEach(setUp);

        // Django's inlines.js renumbers the forms in page order when an unsaved row is
        // removed; put them back in form order first, then in position order again.
        document.addEventListener("formset:removed", (event) => {
            const group = document.getElementById(`${event.detail.formsetName}-group`);
            if (groups.includes(group)) {
                sortRows(group, byFormIndex);
                setTimeout(() => sortRows(group, byPosition));
            }
        });
    });
}
