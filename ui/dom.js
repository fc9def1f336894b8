// Small helpers for building the page: elements, numbers, durations, error boxes.

/** Creates an element: el("p", {class: "hint"}, "text", child…). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(id) {
  return document.getElementById(id);
}

/** 1234567 → "1,234,567". */
export function thousands(n) {
  return n === null || n === undefined ? "?" : Number(n).toLocaleString("en-US");
}

export function bytes(n) {
  if (n === null || n === undefined) return "unknown size";
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Seconds as "0.4 s", "12 s", "3 min 5 s", "1 h 2 min". */
export function duration(seconds) {
  if (!Number.isFinite(seconds)) return "—";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function plural(n, word, words = `${word}s`) {
  return `${thousands(n)} ${n === 1 ? word : words}`;
}

/** The shell's errors are {kind, message, details}; anything else is shown as text. */
export function asUiError(err) {
  if (err && typeof err === "object" && "message" in err && "kind" in err) return err;
  return { kind: "runtime", message: String(err?.message ?? err), details: [] };
}

const ERROR_TITLES = {
  bad_input: "Please check your input",
  connection: "Cannot connect",
  verification: "Verification failed",
  cancelled: "Cancelled",
  runtime: "Something went wrong",
};

/** A box with what went wrong and, behind "Details", the causes. */
export function errorBox(err, title) {
  const e = asUiError(err);
  const details = e.details?.length
    ? el("details", {}, el("summary", {}, "Details"), el("pre", {}, e.details.join("\n")))
    : null;
  return el(
    "div",
    { class: `message error kind-${e.kind}`, role: "alert" },
    el("strong", {}, title ?? ERROR_TITLES[e.kind] ?? ERROR_TITLES.runtime),
    el("p", {}, e.message),
    details,
  );
}
