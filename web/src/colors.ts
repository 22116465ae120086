export interface UserColor {
  color: string;
  colorLight: string;
}

const fromHue = (hue: number): UserColor => ({ color: `hsl(${hue} 70% 40%)`, colorLight: `hsl(${hue} 70% 40% / 0.2)` });

/** A stable colour per user id (a hue from a hash of it), and its light variant for selections. */
export function userColor(userId: string): UserColor {
  let hash = 2166136261;
  for (const ch of userId) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return fromHue(hash % 360);
}

/**
 * Colours for a known set of people (a replay's authors) that tell them apart: hashed hues can land close
 * together, so each next person is a golden angle (about 137.5°) around the wheel from the one before.
 */
export function distinctColors(userIds: readonly string[]): Map<string, UserColor> {
  return new Map(userIds.map((id, i) => [id, fromHue(Math.round((i * 137.508) % 360))]));
}
