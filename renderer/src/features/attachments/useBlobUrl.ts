/**
 * An object URL for bytes main handed over (base64), revoked when they change or the component
 * goes: the image is decoded here, in the sandboxed renderer, from a blob it made itself (the CSP
 * allows blob: for images only).
 */
import { useEffect, useState } from 'react';

export function blobUrlOf(base64: string, type: string): string {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type }));
}

export function useBlobUrl(base64: string | null, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (base64 === null) {
      setUrl(null);
      return;
    }
    const made = blobUrlOf(base64, type);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [base64, type]);
  return url;
}

/** A file the user dropped or pasted, as base64 for attachments.stage. */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const result = String(reader.result);
      resolve(result.slice(result.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsDataURL(file);
  });
}
