import { Controller, HttpCode, Post } from '@nestjs/common';
import { SignedWebhook, type WebhookDelivery, WebhookSigned } from '@bulwark/nestjs';
import { createPaymentLedger } from '@bulwark-examples/shared/payments';

const payments = createPaymentLedger() as {
  record(id: string, event: unknown): { processed: string; type: string; times: number };
};

// Verified by the module's `payments` webhook verifier; needs the app created with rawBody: true.
@Controller('webhooks')
export class PaymentsWebhookController {
  @Post('payments')
  @HttpCode(200)
  @WebhookSigned('payments')
  receive(@SignedWebhook() delivery: WebhookDelivery): { processed: string; type: string; times: number } {
    return payments.record(delivery.id, delivery.json());
  }
}
