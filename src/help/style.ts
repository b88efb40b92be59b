import { currentPresentation } from '../ui/mode.js';
import { stylist, type Stylist } from '../ui/style.js';

/** Help goes to stdout: styled when stdout is a terminal and colour is on (NO_COLOR, TERM=dumb and CI turn it off). */
export function helpStylist(stdout: { isTTY?: boolean } = process.stdout): Stylist {
  return stylist(Boolean(stdout.isTTY) && currentPresentation(false).color);
}
