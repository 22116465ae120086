import { javascript } from "@codemirror/lang-javascript";
import { Compartment } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";
import { yCollab } from "y-codemirror.next";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";

/** The session document's shared text, as the server names it (`TEXT_NAME` of src/contract/sessions.ts). */
export const TEXT_NAME = "code";

export interface SharedEditor {
  view: EditorView;
  setEditable(editable: boolean): void;
}

/** A CodeMirror 6 editor bound to the session's `code` text: others' cursors and selections come from `awareness`. */
export function createEditor(parent: HTMLElement, doc: Y.Doc, awareness: Awareness): SharedEditor {
  const text = doc.getText(TEXT_NAME);
  const editable = new Compartment();
  const view = new EditorView({
    doc: text.toString(),
    extensions: [
      basicSetup,
      javascript(),
      EditorView.lineWrapping,
      editable.of(EditorView.editable.of(false)),
      yCollab(text, awareness, { undoManager: new Y.UndoManager(text) }),
    ],
    parent,
  });
  return {
    view,
    setEditable: (on) => view.dispatch({ effects: editable.reconfigure(EditorView.editable.of(on)) }),
  };
}
