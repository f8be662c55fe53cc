import { strict as assert } from 'node:assert';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../../../src/http/openapi.js';

describe('the HTTP API\'s OpenAPI document', () => {
  it('is a valid OpenAPI 3.0 document (checked against the specification\'s JSON schema)', async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument('1.2.3') as Parameters<Validator['validate']>[0]);
    assert.deepEqual(result.errors ?? [], [], JSON.stringify(result.errors, null, 2));
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.0');
  });

  it('is refused by the same check when broken, so the check can fail', async () => {
    const broken = openApiDocument('1.2.3') as { paths: Record<string, Record<string, { responses?: unknown }>> };
    delete broken.paths['/v1/messages']!.post!.responses;
    assert.equal((await new Validator().validate(broken as Parameters<Validator['validate']>[0])).valid, false);
  });
});
