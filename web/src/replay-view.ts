import { javascript } from "@codemirror/lang-javascript";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";

const setMarks = StateEffect.define<DecorationSet>();
const marks = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setMarks)) return effect.value;
    return value.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

export interface ReplayView {
  view: EditorView;
  /** Shows `text` with `ranges` marked in `color` (its light variant as background), scrolled to the first one. */
  show(text: string, ranges: [number, number][], color: { color: string; colorLight: string }, userId: string | null): void;
}

/** A read-only CodeMirror 6 view of the document at one step of its history, the step's insertions highlighted. */
export function createReplayView(parent: HTMLElement): ReplayView {
  const view = new EditorView({
    doc: "",
    extensions: [
      basicSetup,
      javascript(),
      EditorView.lineWrapping,
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      marks,
    ],
    parent,
  });
  return {
    view,
    show(text, ranges, { color, colorLight }, userId) {
      const mark = Decoration.mark({
        class: "replay-inserted",
        attributes: { style: `background-color:${colorLight};box-shadow:0 2px 0 ${color}`, "data-user": userId ?? "" },
      });
      const decorations = Decoration.set(
        ranges.filter(([from, to]) => to > from && to <= text.length).map(([from, to]) => mark.range(from, to)),
        true,
      );
      const first = ranges[0]?.[0];
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        effects: [setMarks.of(decorations), ...(first === undefined ? [] : [EditorView.scrollIntoView(first, { y: "center" })])],
      });
    },
  };
}
