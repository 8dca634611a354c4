// Starts GOV.UK Frontend's and MoJ Frontend's scripts. Loaded as an ES module, so only
// browsers that GOV.UK Frontend supports run it; the pages work without it.
// The Content-Security-Policy forbids inline scripts, so the body is marked as
// supported here rather than by GOV.UK Frontend's usual inline snippet.
import { initAll } from "/assets/govuk-frontend.min.js";
import { initAll as initMojAll } from "/assets/moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
initMojAll();
