// Finding programs on PATH (BMv2, tc, Mininet's tools) before a run needs them.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** `name` as found on PATH (or as given when it contains a slash); undefined when absent. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes("/")) return executable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) {
    if (dir !== "" && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
