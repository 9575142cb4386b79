import { Global, Module } from '@nestjs/common';
import { ApiKeyCache } from './api-key-cache.service.js';

/** The API key cache, shared by the guard and the revocation that must evict from it. */
@Global()
@Module({ providers: [ApiKeyCache], exports: [ApiKeyCache] })
export class AuthModule {}
