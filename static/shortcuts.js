// Keyboard shortcuts for the agent desk: a progressive enhancement only, every action has a
// link or a button that works without it. Keys by position, in any layout: j/k move between
// tickets of the list (Enter opens one), r goes to the reply editor, n to the internal note
// editor, a assigns the ticket to oneself. Keys typed into a field or with a modifier are
// left alone.
(function () {
  "use strict";
  var current = -1;

  function typing(event) {
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function ticketLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("a.ticket-link"));
  }

  function move(step) {
    var links = ticketLinks();
    if (links.length === 0) {
      return;
    }
    current = Math.max(0, Math.min(links.length - 1, current + step));
    links[current].focus();
  }

  function focusEditor(id) {
    var editor = document.getElementById(id);
    if (editor) {
      editor.focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event)) {
      return;
    }
    var handled = true;
    // The physical key, so that the shortcuts work the same with a Russian layout (where the
    // J key types "о") as with a Latin one.
    switch (event.code) {
      case "KeyJ":
        move(1);
        break;
      case "KeyK":
        move(-1);
        break;
      case "KeyR":
        focusEditor("reply-body");
        break;
      case "KeyN":
        focusEditor("note-body");
        break;
      case "KeyA":
        var assign = document.getElementById("assign-me");
        if (assign) {
          assign.click();
        } else {
          handled = false;
        }
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });
})();
