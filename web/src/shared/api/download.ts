/**
 * Saves `blob` as a file called `name` through the browser's download. API files need the server token, which a
 * plain link cannot carry, so they are fetched first and saved from a blob URL.
 */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    // Not put in the document: behind an open modal dialog (the drawer) the page is inert and ignores the click.
    a.click();
  } finally {
    // The click has handed the URL to the download; revoking later lets it start first.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
