// Ferry's page entry point: plain ES module, no bundler. Talks to the Rust shell through the
// global Tauri API (app.withGlobalTauri in tauri.conf.json).

/** Calls a command of the desktop shell; rejects when the page runs outside Tauri. */
function invoke(command, args) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject(new Error("not running inside the Ferry app"));
  }
  return tauri.core.invoke(command, args);
}

async function showVersion() {
  const line = document.getElementById("version");
  try {
    const info = await invoke("app_info");
    line.textContent = `Engine version: ${info.engine_version}`;
  } catch (err) {
    line.textContent = `Engine version unknown: ${err.message ?? err}`;
    line.classList.add("error");
  }
}

showVersion();
