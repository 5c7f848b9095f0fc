import { SIM_LWA_CLIENT, type SimSeller } from '../dataset';

/** An access token from the simulator's LWA endpoint for a seller's refresh token, as a client gets one. */
export async function accessToken(simUrl: string, seller: SimSeller): Promise<string> {
  const res = await fetch(`${simUrl}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: seller.refreshToken,
      client_id: SIM_LWA_CLIENT.clientId,
      client_secret: SIM_LWA_CLIENT.clientSecret,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
