/* HKAI article form: nothing typed is lost (autosave to the server, a copy in this
   browser when the server cannot take it, a prompt before leaving), a live preview
   with the site's own article page, sections arranged by dragging or by keyboard,
   growing text boxes and a live word count. No inline script (the CSP forbids it). */
"use strict";

(function () {
  const AUTOSAVE_DELAY = 2000;
  const WORDS_PER_MINUTE = 230;
  const CJK_PER_MINUTE = 400;
  const LATIN_WORD = /[^\s\d_\p{P}\p{S}\u3400-\u9fff\uf900-\ufaff]+(?:['’-][^\s\p{P}]+)*|\d+/gu;
  const CJK = /[\u3400-\u9fff\uf900-\ufaff]/gu;

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* Only for a copy this browser keeps when the server could not be reached. */
  function timeNow() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function formBody(form) {
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && !name.includes("__prefix__")) body.append(name, value);
    }
    return body;
  }

  /* Autosave, the restore offer and the prompt before leaving. */
  function setUpAutosave(form, config) {
    const url = config.dataset.autosaveUrl;
    const key = "hkai-autosave:" + url;
    const status = document.querySelector(".autosave-status");
    let timer = null;
    let dirty = false;
    let submitting = false;

    function say(text) {
      if (status) status.textContent = text;
    }

    function keepLocally(body) {
      try {
        localStorage.setItem(key, JSON.stringify({ at: timeNow(), body: body.toString() }));
      } catch (error) {
        /* storage full or off: the prompt before leaving still guards the text */
      }
    }

    function send(body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
        body: body,
        redirect: "manual",
      }).then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
    }

    function save() {
      const body = formBody(form);
      send(body)
        .then((data) => {
          localStorage.removeItem(key);
          // The server's time, as everywhere in the admin and in the offer after a reload.
          say("Your changes are kept as you type (last at " + data.saved_at + "). Save to keep them.");
          document.dispatchEvent(new CustomEvent("hkai:autosaved", { detail: data }));
        })
        .catch(() => {
          keepLocally(body);
          say(
            "The server could not keep your changes (signed out?); this browser keeps a copy. " +
              "Sign in again in another tab, then save."
          );
        });
    }

    function changed() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, AUTOSAVE_DELAY);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    document.addEventListener("hkai:sections-moved", changed);
    form.addEventListener("submit", () => {
      submitting = true;
      clearTimeout(timer);
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    /* The offer made by the server: "Discard" forgets the kept changes. */
    const offer = document.querySelector(".autosave-offer");
    if (offer) {
      offer.querySelector(".autosave-discard").addEventListener("click", () => {
        send(new URLSearchParams({ discard: "1" })).finally(() => offer.remove());
      });
    }

    /* A copy kept in this browser (the server could not take it): offer it too. */
    let local = null;
    try {
      local = JSON.parse(localStorage.getItem(key) || "null");
    } catch (error) {
      local = null;
    }
    if (local && local.body) {
      const box = document.createElement("div");
      box.className = "editor-notice autosave-offer autosave-offer--local";
      box.setAttribute("role", "alert");
      const text = document.createElement("p");
      text.textContent = "This browser kept changes you typed at " + local.at + " that were not saved.";
      const restore = document.createElement("button");
      restore.type = "button";
      restore.className = "button";
      restore.textContent = "Restore your unsaved changes from " + local.at;
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button";
      discard.textContent = "Discard";
      box.append(text, restore, " ", discard);
      config.after(box);
      restore.addEventListener("click", () => {
        send(new URLSearchParams(local.body))
          .then(() => {
            localStorage.removeItem(key);
            window.location.search = "?restore=autosave";
          })
          .catch(() => {
            text.textContent = "Sign in again first (in another tab), then choose Restore.";
          });
      });
      discard.addEventListener("click", () => {
        localStorage.removeItem(key);
        box.remove();
      });
    }
  }

  /* The preview: the site's article page in a frame, after each autosave. */
  function setUpPreview(config) {
    const panel = document.getElementById("editor-preview");
    if (!panel) return;
    const frame = panel.querySelector("iframe");
    const base = config.dataset.previewUrl;
    let typed = new URLSearchParams(window.location.search).get("restore") === "autosave";

    function refresh() {
      frame.src = base + "?" + new URLSearchParams({ typed: typed ? "1" : "", t: Date.now() });
    }

    panel.querySelectorAll("[data-preview-width]").forEach((button) => {
      button.addEventListener("click", () => {
        const phone = button.dataset.previewWidth === "390";
        frame.classList.toggle("editor-preview__frame--phone", phone);
        panel.querySelectorAll("[data-preview-width]").forEach((other) => {
          other.setAttribute("aria-pressed", String(other === button));
        });
      });
    });
    document.addEventListener("hkai:autosaved", () => {
      typed = true;
      refresh();
    });
    refresh();
  }

  /* Text boxes that grow with their text. */
  function grow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 2 + "px";
  }

  function setUpGrowing(form) {
    form.querySelectorAll("textarea").forEach((textarea) => {
      if (!textarea.closest(".empty-form")) grow(textarea);
    });
    form.addEventListener("input", (event) => {
      if (event.target.matches("textarea")) grow(event.target);
    });
    document.addEventListener("formset:added", (event) => {
      event.target.querySelectorAll("textarea").forEach(grow);
    });
  }

  /* Words and reading time, counted as the article page counts them. */
  function setUpWordCount(form, group) {
    const out = document.createElement("p");
    out.className = "word-count";
    out.id = "word-count";
    out.setAttribute("aria-live", "polite");
    group.before(out);

    function count() {
      let words = 0;
      let characters = 0;
      group.querySelectorAll(".inline-related:not(.empty-form)").forEach((row) => {
        const remove = row.querySelector("input[name$=-DELETE]");
        if (remove && remove.checked) return;
        const heading = row.querySelector("input[name$=-heading]");
        const body = row.querySelector("textarea[name$=-body]");
        const text = (heading ? heading.value : "") + " " + (body ? body.value : "");
        words += (text.match(LATIN_WORD) || []).length;
        characters += (text.match(CJK) || []).length;
      });
      const minutes = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE + characters / CJK_PER_MINUTE));
      const parts = [words.toLocaleString() + (words === 1 ? " word" : " words")];
      if (characters) parts.push(characters.toLocaleString() + " Chinese characters");
      out.textContent = parts.join(", ") + " · " + minutes + " min read";
    }

    form.addEventListener("input", count);
    form.addEventListener("change", count);
    document.addEventListener("formset:added", count);
    count();
  }

  /* "Insert image": the image library opens as the admin's own lookup popup (as for a
     raw-id field); the image chosen there goes into the section's text at the cursor as
     ![](image:N), drawn with the library's alt text and caption. The library's address
     comes from the lead image's "+" link, so there is none for who cannot use it. */
  function imagePicker(row) {
    const body = row.querySelector("textarea[name$=-body]");
    const add = document.getElementById("add_id_lead_image");
    const $ = window.django && window.django.jQuery;
    if (!body || !add || !$) return null;
    const library = new URL(add.getAttribute("href"), window.location.href);
    library.pathname = library.pathname.replace(/add\/$/, "");
    library.search = "?_to_field=id";
    const chosen = document.createElement("input");
    chosen.type = "hidden"; /* no name: never sent with the form */
    chosen.id = body.id + "_image";
    const link = document.createElement("a");
    link.id = "lookup_" + chosen.id;
    link.className = "related-lookup button section-image";
    link.href = library.pathname + library.search;
    link.textContent = "Insert image";
    link.title = "Choose an image from the library for this section";
    $(chosen).on("change", () => {
      const id = parseInt(chosen.value, 10);
      chosen.value = "";
      if (!(id > 0)) return;
      const at = body.selectionStart ?? body.value.length;
      const before = body.value.slice(0, at), after = body.value.slice(at);
      const line = (before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "") +
        "![](image:" + id + ")" + (after.startsWith("\n") ? "" : "\n\n");
      body.value = before + line + after;
      body.focus();
      body.selectionStart = body.selectionEnd = (before + line).length;
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
    return [chosen, link];
  }

  /* Sections: Move up / Move down (keyboard), dragging, and "Add a section here". */
  function setUpSections(group) {
    const announcer = document.createElement("p");
    announcer.className = "visually-hidden";
    announcer.id = "section-announcer";
    announcer.setAttribute("aria-live", "assertive");
    group.before(announcer);
    let dragged = null;

    function rows() {
      return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)"));
    }

    function label(row) {
      const heading = row.querySelector("input[name$=-heading]");
      return heading && heading.value.trim() ? "“" + heading.value.trim() + "”" : "The section";
    }

    function renumber(quietly) {
      rows().forEach((row, n) => {
        const position = row.querySelector("input[name$=-position]");
        if (position) position.value = String(n);
        const [up, down] = row.querySelectorAll(".section-move");
        if (up) up.disabled = n === 0;
        if (down) down.disabled = n === rows().length - 1;
      });
      if (quietly !== true) document.dispatchEvent(new CustomEvent("hkai:sections-moved"));
    }

    function moved(row, focus) {
      renumber();
      const all = rows();
      announcer.textContent =
        label(row) + " is now section " + (all.indexOf(row) + 1) + " of " + all.length + ".";
      if (focus) focus.focus();
    }

    function move(row, step) {
      const all = rows();
      const index = all.indexOf(row);
      const target = all[index + step];
      if (!target) return;
      if (step < 0) target.before(row);
      else target.after(row);
      moved(row, row.querySelector(step < 0 ? ".section-move--up" : ".section-move--down"));
    }

    function addHere(row) {
      const add = group.querySelector(".add-row a");
      if (!add) return;
      const before = new Set(rows());
      add.click();
      const fresh = rows().find((candidate) => !before.has(candidate));
      if (!fresh) return;
      row.after(fresh);
      moved(fresh, fresh.querySelector("input[name$=-heading]"));
    }

    function equip(row) {
      if (row.dataset.sectionTools || row.classList.contains("empty-form")) return;
      row.dataset.sectionTools = "1";
      const tools = document.createElement("div");
      tools.className = "section-tools";
      tools.setAttribute("role", "group");
      tools.setAttribute("aria-label", "Arrange this section");
      const handle = document.createElement("span");
      handle.className = "section-handle";
      handle.textContent = "⠿ Drag to reorder";
      handle.setAttribute("aria-hidden", "true");
      handle.title = "Drag to put this section elsewhere";
      const buttons = [
        ["Move up", "section-move section-move--up", () => move(row, -1)],
        ["Move down", "section-move section-move--down", () => move(row, 1)],
        ["Add a section here", "section-add", () => addHere(row)],
      ].map(([text, className, action]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button " + className;
        button.textContent = text;
        button.addEventListener("click", action);
        return button;
      });
      buttons[2].title = "Adds a section after this one";
      tools.append(handle, ...buttons);
      const picker = imagePicker(row);
      if (picker) tools.append(...picker);
      const title = row.querySelector("h3");
      (title || row.firstChild).after(tools);

      /* Dragging by the handle; the text boxes inside stay free to select text. */
      handle.draggable = true;
      handle.addEventListener("dragstart", (event) => {
        dragged = row;
        row.classList.add("section-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.id);
        event.dataTransfer.setDragImage(row, 20, 20);
      });
      handle.addEventListener("dragend", () => {
        row.classList.remove("section-dragging");
        dragged = null;
      });
      row.addEventListener("dragover", (event) => {
        if (!dragged || dragged === row) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      });
      row.addEventListener("drop", (event) => {
        if (!dragged || dragged === row) return;
        event.preventDefault();
        const box = row.getBoundingClientRect();
        if (event.clientY < box.top + box.height / 2) row.before(dragged);
        else row.after(dragged);
        moved(dragged, null);
      });
    }

    rows().forEach(equip);
    renumber(true);
    document.addEventListener("formset:added", (event) => {
      if (event.target.closest && event.target.closest("#sections-group")) {
        equip(event.target);
        renumber();
      }
    });
    document.addEventListener("formset:removed", renumber);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("article_form");
    const config = document.getElementById("editor-config");
    if (!form || !config) return;
    setUpGrowing(form);
    const group = document.getElementById("sections-group");
    if (group) {
      setUpWordCount(form, group);
      if (config.dataset.editable) setUpSections(group);
    }
    if (config.dataset.editable) {
      setUpAutosave(form, config);
      setUpPreview(config);
    }
  });
})();
