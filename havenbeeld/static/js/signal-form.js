// The signal form: fields per kind of object, more objects, live identifier checks and
// "did you mean" candidates. Without this script the form still works: all fields show and
// the server checks everything on submit.
(function () {
  "use strict";

  function showFieldsFor(block) {
    const select = block.querySelector("[data-kind-select]");
    if (!select) return;
    block.querySelectorAll("[data-kinds]").forEach(function (field) {
      field.hidden = field.dataset.kinds.split(" ").indexOf(select.value) === -1;
    });
  }

  function post(url, block, extra) {
    const form = block.closest("form");
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("prefix", block.dataset.prefix);
    block.querySelectorAll("input, select").forEach(function (input) {
      if (input.name && input.type !== "radio" && input.type !== "file") {
        data.append(input.name, input.value);
      }
    });
    Object.keys(extra || {}).forEach(function (key) { data.append(key, extra[key]); });
    return fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; });
  }

  function checkIdentifier(input) {
    const block = input.closest("[data-object-block]");
    const blocks = document.getElementById("object-blocks");
    const field = input.name.slice(block.dataset.prefix.length + 1);
    post(blocks.dataset.checkUrl, block, { field: field }).then(function (html) {
      const target = document.getElementById(input.name + "-check");
      if (target) target.innerHTML = html;
    });
  }

  let timer = null;
  function lookCandidates(block) {
    const blocks = document.getElementById("object-blocks");
    clearTimeout(timer);
    timer = setTimeout(function () {
      post(blocks.dataset.candidatesUrl, block).then(function (html) {
        block.querySelector(".hb-candidates-slot").innerHTML = html;
      });
    }, 300);
  }

  function setUp(block) {
    showFieldsFor(block);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const blocks = document.getElementById("object-blocks");
    if (!blocks) return;
    blocks.querySelectorAll("[data-object-block]").forEach(setUp);

    blocks.addEventListener("change", function (event) {
      const target = event.target;
      const block = target.closest("[data-object-block]");
      if (!block) return;
      if (target.matches("[data-kind-select]")) showFieldsFor(block);
      if (target.matches("[data-check]")) checkIdentifier(target);
      if (target.matches("[data-choose-object]")) {
        block.querySelector("[data-object-id]").value = target.value;
        return;
      }
      if (/-(name|first_name|last_name|birth_date|identifier|identifier_2|postcode|kind)$/
          .test(target.name || "")) {
        lookCandidates(block);
      }
    });

    blocks.addEventListener("click", function (event) {
      const button = event.target.closest("[data-use-suggestion]");
      if (!button) return;
      const input = document.querySelector("[name='" + button.dataset.for + "']");
      if (input) {
        input.value = button.dataset.useSuggestion;
        checkIdentifier(input);
      }
    });

    document.querySelectorAll("[data-add-object]").forEach(function (button) {
      button.addEventListener("click", function () {
        const total = document.getElementById("id_objects-TOTAL_FORMS");
        const max = document.getElementById("id_objects-MAX_NUM_FORMS");
        const index = parseInt(total.value, 10);
        if (max && index >= parseInt(max.value, 10)) return;
        const html = document.getElementById("object-template").innerHTML
          .replace(/__prefix__/g, String(index));
        const holder = document.createElement("div");
        holder.innerHTML = html.trim();
        const block = holder.firstElementChild;
        blocks.appendChild(block);
        total.value = String(index + 1);
        setUp(block);
        const first = block.querySelector("select, input:not([type=hidden])");
        if (first) first.focus();
      });
    });
  });
})();
