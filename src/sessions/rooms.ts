/** The Socket.IO room of a session (joined only through `core.rooms.join`). */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
