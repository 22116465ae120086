const PALETTE = ["#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599", "#c2255c", "#5f3dc4", "#66a80f", "#1098ad"];

/** A stable colour per user id, and its light variant for selections. */
export function userColor(userId: string): { color: string; colorLight: string } {
  let hash = 0;
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const color = PALETTE[hash % PALETTE.length]!;
  return { color, colorLight: `${color}33` };
}
