/*
 * Live preview of a posting's summary and description on its change form.
 *
 * A moment after each change, the text is sent to the admin's preview view, which renders it
 * as the posting's page does (jobs/richtext.py), and the preview shows the answer. Without
 * JavaScript the preview shows the text as it was last saved or submitted.
 */
"use strict";
{
    const DELAY_MS = 300;

    function follow(part, source, url, token) {
        let timer = null;
        let sent = 0;
        source.addEventListener("input", () => {
            clearTimeout(timer);
            timer = setTimeout(async () => {
                const request = ++sent;
                const body = new FormData();
                body.append("text", source.value);
                body.append("csrfmiddlewaretoken", token);
                try {
                    const response = await fetch(url, {method: "POST", body, credentials: "same-origin"});
                    // An older answer that arrives late must not replace a newer one.
                    if (response.ok && request === sent) {
                        part.innerHTML = await response.text();
                    }
                } catch {
                    // Offline for a moment: the preview catches up with the next change.
                }
            }, DELAY_MS);
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        const token = document.querySelector("input[name=csrfmiddlewaretoken]")?.value;
        for (const preview of document.querySelectorAll(".text-preview[data-url]")) {
            for (const part of preview.querySelectorAll("[data-source]")) {
                const source = document.getElementById(part.dataset.source);
                if (source && token) {
                    follow(part, source, preview.dataset.url, token);
                }
            }
        }
    });
}
