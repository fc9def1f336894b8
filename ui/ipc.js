// The desktop shell's commands (src-tauri/commands.rs), as promises. Errors arrive as
// {kind, message, details} objects.

function core() {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) throw new Error("not running inside the Ferry app");
  return tauri.core;
}

export function invoke(command, args) {
  try {
    return core().invoke(command, args);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** A Channel whose messages (the engine's progress events) go to onEvent. */
export function progressChannel(onEvent) {
  const channel = new (core().Channel)();
  channel.onmessage = onEvent;
  return channel;
}

export const appInfo = () => invoke("app_info");
export const testConnection = (location, role, schema) =>
  invoke("test_connection", { location, role, schema });
export const plan = (request, onEvent) =>
  invoke("plan", { request, progress: progressChannel(onEvent) });
export const detectFramework = (request) => invoke("detect_framework", { request });
export const startRun = (request, onEvent) =>
  invoke("start_run", { request, progress: progressChannel(onEvent) });
export const cancelRun = () => invoke("cancel_run");
export const pickPath = (role, current) => invoke("pick_path", { role, current });
export const recentLocations = () => invoke("recent_locations");
export const extractUsers = (source, schema, extract) =>
  invoke("extract_users", { source, schema, extract });
/** what: "folder_of" (the folder holding path) or "report" (a report page). */
export const openPath = (what, path) => invoke("open_path", { what, path });
