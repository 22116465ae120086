/** A stable colour per user id (a hue from a hash of it), and its light variant for selections. */
export function userColor(userId: string): { color: string; colorLight: string } {
  let hash = 2166136261;
  for (const ch of userId) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  const hue = hash % 360;
  return { color: `hsl(${hue} 70% 40%)`, colorLight: `hsl(${hue} 70% 40% / 0.2)` };
}
