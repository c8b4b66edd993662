/**
 * Peak memory of one 48 MP image, each in its own process: Node's maxRSS
 * (as the goal is stated) and the kernel's VmHWM for this process image.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { minimal, ours } from "./contenders.ts"

export interface Peak {
  readonly beforeKb: number
  readonly peakKb: number
  readonly hwmKb: number
}

const vmHwmKb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1])

export const peakChild = async (which: string, file: string) => {
  const bytes = readFileSync(file)
  const run = which === "minimal" ? minimal() : ours()
  const beforeKb = process.resourceUsage().maxRSS
  await run(bytes)
  const peak: Peak = { beforeKb, peakKb: process.resourceUsage().maxRSS, hwmKb: vmHwmKb() }
  console.log(JSON.stringify(peak))
}

export const imageMagickPeakKb = (file: string) => {
  const out = spawnSync("/usr/bin/time", ["-f", "%M", "/usr/bin/convert", file, "-auto-orient", "-strip",
    "-background", "white", "-flatten", "-colorspace", "sRGB", "-resize", "4096x4096>", "-quality", "85",
    "-write", "jpg:/dev/null", "-thumbnail", "256x256^", "-gravity", "center", "-extent", "256x256", "jpg:/dev/null"], { encoding: "utf8" })
  return Number(out.stderr.trim().split("\n").at(-1))
}
