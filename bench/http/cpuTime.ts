/**
 * CPU seconds a process has used (user + system), from /proc: on a shared
 * machine, CPU time per request is steadier than requests per wall second.
 */
import { readFileSync } from "node:fs"

const ticksPerSecond = 100 // USER_HZ on Linux

export const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name (which may hold spaces) start at state (field 3); utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}
