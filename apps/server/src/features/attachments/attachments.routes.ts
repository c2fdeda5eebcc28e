import type { RouteHandlers } from '../../http/api.js';
import { requestToken } from '../../http/auth.js';
import { notFound } from '../../infra/errors.js';
import type { Authenticate } from '../../kernel/actor.js';
import type { Commands } from '../../kernel/commands.js';
import { outcome } from '../../kernel/outcome.js';
import type { AttachmentsService } from './attachments.service.js';
import { sendFile } from './serve-file.js';

export function attachmentsRoutes(deps: {
  attachments: AttachmentsService;
  commands: Commands;
  authenticate: Authenticate;
}): RouteHandlers<'uploadAttachment' | 'uploadUsage' | 'downloadFile' | 'downloadPreview'> {
  const { attachments, commands, authenticate } = deps;
  return {
    uploadAttachment: async ({ auth, params, query, upload }) =>
      commands.run(async () =>
        outcome(await attachments.upload(auth.actor, BigInt(params.channelId), query.filename, upload)),
      ),
    uploadUsage: async ({ auth }) => attachments.usage(auth.actor.id),
    downloadFile: async ({ params, query, req, reply }) => {
      const viewer = async () => {
        const found = requestToken(req);
        return found ? (await authenticate(found.token))?.actor.id : undefined;
      };
      const file = await attachments.serve(BigInt(params.attachmentId), 'file', query, viewer);
      // The name in the path is for people and download managers; it must be this file's.
      if (file.row.filename !== params.filename) throw notFound('No such file.');
      return sendFile(req, reply, file);
    },
    downloadPreview: async ({ params, query, req, reply }) => {
      const viewer = async () => {
        const found = requestToken(req);
        return found ? (await authenticate(found.token))?.actor.id : undefined;
      };
      return sendFile(
        req,
        reply,
        await attachments.serve(BigInt(params.attachmentId), 'preview', query, viewer),
      );
    },
  };
}
