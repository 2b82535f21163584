/* HKAI admin helpers: topic suggestions while typing tags, and a Markdown preview for
   each section body. No inline script; works for sections added with "Add another". */
"use strict";

(function () {
  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* Tags: suggest existing topics for the name being typed after the last comma. */
  function setUpTagInput(input) {
    const list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "tag-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.after(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    let active = -1;
    let timer = null;

    function parts() {
      const value = input.value;
      const cut = value.lastIndexOf(",");
      return [value.slice(0, cut + 1), value.slice(cut + 1).trim()];
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(name) {
      const [head] = parts();
      const quoted = name.includes(",") ? '"' + name + '"' : name;
      input.value = (head ? head + " " : "") + quoted + ", ";
      close();
      input.focus();
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      options.forEach((option, n) => option.setAttribute("aria-selected", String(n === index)));
      active = index;
      if (options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
      }
    }

    function show(names) {
      const taken = input.value.split(",").map((t) => t.trim().replace(/^"|"$/g, "").toLowerCase());
      const fresh = names.filter((name) => !taken.includes(name.toLowerCase()));
      list.replaceChildren();
      fresh.forEach((name, n) => {
        const option = document.createElement("li");
        option.id = list.id + "-" + n;
        option.setAttribute("role", "option");
        option.textContent = name;
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(name);
        });
        list.append(option);
      });
      list.hidden = fresh.length === 0;
      input.setAttribute("aria-expanded", String(fresh.length > 0));
      active = -1;
    }

    function fetchSuggestions() {
      const [, term] = parts();
      const url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(term);
      fetch(url, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { tags: [] }))
        .then((data) => show(data.tags))
        .catch(close);
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("focus", fetchSuggestions);
    input.addEventListener("blur", () => setTimeout(close, 100));
    input.addEventListener("keydown", (event) => {
      const options = list.querySelectorAll("[role=option]");
      if (list.hidden || options.length === 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options[active].textContent);
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  /* Sections: a "Preview" button under each Markdown body. */
  function previewUrl() {
    const config = document.getElementById("markdown-preview-config");
    return config ? config.dataset.url : null;
  }

  function addPreviewButton(textarea) {
    if (!textarea || !previewUrl() || textarea.dataset.previewReady) return;
    if (textarea.name.includes("__prefix__")) return;
    textarea.dataset.previewReady = "1";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button markdown-preview-button";
    button.textContent = "Preview";
    const panel = document.createElement("div");
    panel.className = "markdown-preview";
    panel.setAttribute("aria-live", "polite");
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      if (!panel.hidden) {
        panel.hidden = true;
        button.textContent = "Preview";
        button.setAttribute("aria-expanded", "false");
        return;
      }
      const body = new URLSearchParams({ body: textarea.value });
      fetch(previewUrl(), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
        body: body,
      })
        .then((response) => {
          if (!response.ok) throw new Error(response.statusText);
          return response.json();
        })
        .then((data) => {
          panel.innerHTML = data.html || "<p><em>Nothing to preview.</em></p>";
          panel.hidden = false;
          button.textContent = "Hide preview";
          button.setAttribute("aria-expanded", "true");
        })
        .catch(() => {
          panel.textContent = "The preview could not be loaded. Your text is unchanged.";
          panel.hidden = false;
        });
    });
    textarea.after(button, panel);
  }

  /* Autocomplete boxes (the author): select2 names its combobox after the chosen value
     alone, which is empty until someone is chosen; name it after the field's label too. */
  function labelAutocomplete(select) {
    const label = document.querySelector('label[for="' + select.id + '"]');
    const combobox = select.parentElement.querySelector(".select2-selection[role=combobox]");
    if (!label || !combobox) return;
    label.id = label.id || select.id + "-label";
    const names = (combobox.getAttribute("aria-labelledby") || "").split(" ");
    if (!names.includes(label.id)) {
      combobox.setAttribute("aria-labelledby", [label.id, ...names].join(" ").trim());
    }
    /* The read-only box inside that shows the chosen value. */
    const shown = combobox.querySelector(".select2-selection__rendered");
    if (shown) shown.setAttribute("aria-labelledby", label.id);
  }

  /* The admin builds its select2 boxes in a jQuery ready handler, which jQuery 3 runs
     asynchronously, so before or after "load": label them whenever one appears. */
  function labelAutocompletes() {
    document.querySelectorAll("#article_form select.admin-autocomplete").forEach(labelAutocomplete);
  }
  new MutationObserver((changes) => {
    const added = changes.some((change) =>
      Array.from(change.addedNodes).some(
        (node) => node.nodeType === 1 && node.matches(".select2-container, .select2-selection")
      )
    );
    if (added) labelAutocompletes();
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("load", labelAutocompletes);

  document.addEventListener("DOMContentLoaded", () => {
    labelAutocompletes();
    document.querySelectorAll("input.tag-input[data-suggest-url]").forEach(setUpTagInput);
    document
      .querySelectorAll("#article_form textarea[name^=sections-][name$=-body]")
      .forEach(addPreviewButton);
  });
  document.addEventListener("formset:added", (event) => {
    addPreviewButton(event.target.querySelector("textarea[name$=-body]"));
  });
})();
