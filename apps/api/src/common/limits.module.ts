import { Global, Module } from '@nestjs/common';
import { ClientAddress, RateLimits } from './rate-limits';

/** The rate limits and the client-address rule, shared by the HTTP guard, login and the gateways. */
@Global()
@Module({ providers: [RateLimits, ClientAddress], exports: [RateLimits, ClientAddress] })
export class LimitsModule {}
