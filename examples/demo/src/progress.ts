/** A one-line progress bar on stderr (a line per 10% when stderr is not a terminal). */
export function progressBar(total: number, label: string) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return {
    update(done: number, detail: string) {
      if (tty) {
        const width = 30;
        const filled = Math.round((done / total) * width);
        process.stderr.write(
          `\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} ${detail}   `,
        );
        if (done === total) process.stderr.write("\n");
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label} ${done}/${total} ${detail}\n`);
      }
    },
  };
}
