// Starts GOV.UK Frontend's and MoJ Frontend's scripts. Loaded as an ES module, so only
// browsers that GOV.UK Frontend supports run it; the pages work without it.
// The Content-Security-Policy forbids inline scripts, so the body is marked as
// supported here rather than by GOV.UK Frontend's usual inline snippet.
import { initAll } from "/assets/govuk-frontend.min.js";
import { initAll as initMojAll } from "/assets/moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
initMojAll();

// A case note's form keeps a draft for its author: without JavaScript through its
// "Save draft" button, and here also as they type, two seconds after they stop, so a
// note is not lost if the session ends or the connection drops. The draft is posted
// with the form's own fields, its CSRF token among them.
for (const form of document.querySelectorAll("form[data-draft-url]")) {
  const status = form.querySelector("#draft-status");
  let timer;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const response = await fetch(form.dataset.draftUrl, {
          method: "POST",
          body: new URLSearchParams(new FormData(form)),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (response.ok && status) {
          const { saved } = await response.json();
          status.textContent = `Draft saved at ${saved}. Only you can see it.`;
        }
      } catch {
        // Offline or signed out: the next pause in typing tries again.
      }
    }, 2000);
  });
}
