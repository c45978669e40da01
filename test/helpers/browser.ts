// Headless Chromium for tests of the web view: Debian's chromium driven by playwright-core.
// Tests that need it skip, with one line saying why, where it is not installed.
import { accessSync, constants } from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM = process.env.NETAPPROX_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumUnavailable(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `${CHROMIUM} not installed (apt-get install chromium; .ci/run does)`;
  }
}

/**
 * Chromium headless, with no network of its own (no background services, updates or sync
 * reaching out of this machine); playwright gives it a fresh profile each launch.
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
