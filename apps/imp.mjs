const t0 = performance.now(); const c0 = process.cpuUsage()
for (const m of process.argv.slice(2)) await import(m)
const c = process.cpuUsage(c0)
console.log(process.argv.slice(2).join(" ").slice(-60), (performance.now() - t0).toFixed(0), "ms wall", ((c.user + c.system)/1000).toFixed(0), "ms cpu")
