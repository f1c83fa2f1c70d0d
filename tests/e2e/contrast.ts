/**
 * Text contrast as the page draws it now, read from computed styles (axe does not see hover or
 * focus states): the element's colour against the first opaque background behind it.
 */
import type { Locator } from '@playwright/test';

export function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate((element) => {
    // The tests compile without the DOM library; these are the browser's own.
    type Box = { parentElement: Box | null };
    const styleOf = (node: Box) =>
      (
        globalThis as unknown as {
          getComputedStyle(node: Box): { color: string; backgroundColor: string };
        }
      ).getComputedStyle(node);
    const parse = (css: string) => {
      const parts =
        /rgba?\(([^)]+)\)/
          .exec(css)?.[1]
          ?.split(/[\s,/]+/)
          .filter(Boolean) ?? [];
      const [r = 0, g = 0, b = 0, a = 1] = parts.map(Number);
      return { r, g, b, a };
    };
    const channel = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    const luminance = (c: { r: number; g: number; b: number }) =>
      0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    let background = { r: 255, g: 255, b: 255, a: 1 };
    for (let node: Box | null = element as unknown as Box; node; node = node.parentElement) {
      const colour = parse(styleOf(node).backgroundColor);
      if (colour.a > 0.5) {
        background = colour;
        break;
      }
    }
    const text = parse(styleOf(element as unknown as Box).color);
    const [light, dark] = [luminance(text), luminance(background)].sort((x, y) => y - x);
    return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
  });
}
