import { describe, expect, it } from "vitest";
import { domainOf, luminance, positionIn, scaleColor, textColorOn } from "./color-scale.ts";

describe("color scale", () => {
  it("runs from light to dark, clamping outside 0–1", () => {
    expect(scaleColor(0)).toBe("#eef3fd");
    expect(scaleColor(1)).toBe("#1c3785");
    expect(scaleColor(-2)).toBe(scaleColor(0));
    expect(scaleColor(Number.NaN)).toBe(scaleColor(0));
    expect(scaleColor(7)).toBe(scaleColor(1));
    const steps = [0, 0.25, 0.5, 0.75, 1].map((position) => luminance(scaleColor(position)));
    for (let index = 1; index < steps.length; index += 1) {
      expect(steps[index]).toBeLessThan(steps[index - 1]);
    }
  });

  it("places values in a domain, and a domain of one value at the top", () => {
    expect(positionIn(0.25, { min: 0, max: 1 })).toBe(0.25);
    expect(positionIn(3000, { min: 1000, max: 5000 })).toBe(0.5);
    expect(positionIn(9, { min: 9, max: 9 })).toBe(1);
  });

  it("derives a domain from the values present, from zero when all are positive", () => {
    expect(domainOf([1200, null, 4000])).toEqual({ min: 0, max: 4000 });
    expect(domainOf([-0.2, 0.1])).toEqual({ min: -0.2, max: 0.1 });
    expect(domainOf([null, null])).toEqual({ min: 0, max: 1 });
    expect(domainOf([0.9], { min: 0, max: 1 })).toEqual({ min: 0, max: 1 });
    expect(domainOf([0, 0])).toEqual({ min: 0, max: 1 });
  });

  it("writes dark text on light cells and white on dark ones", () => {
    expect(textColorOn(scaleColor(0))).toBe("#1c2333");
    expect(textColorOn(scaleColor(1))).toBe("#ffffff");
  });
});
