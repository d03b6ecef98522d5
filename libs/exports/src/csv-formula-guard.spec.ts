import { Readable } from 'node:stream';
import { CsvFormulaGuard } from './csv-formula-guard';

async function guard(csv: string, chunkSize = 3): Promise<string> {
  const bytes = Buffer.from(csv, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  for await (const part of Readable.from(chunks).pipe(new CsvFormulaGuard())) out.push(part as Buffer);
  return Buffer.concat(out).toString('utf8');
}

describe('CsvFormulaGuard', () => {
  it.each([1, 2, 3, 7, 1000])('neutralises formula cells in %i-byte chunks and leaves the rest alone', async (size) => {
    const csv = [
      'name,lat,lng,note',
      '=HYPERLINK("http://x"),7.1,-73.11,ok',
      '+57 300,-0.5,-1e3,@cmd',
      '"=1+2,3",1,2,"-2+3+cmd|\' /C calc\'!A0"',
      '"\rtext",1,2,"\ttab"',
      'Parque San Pío,7.12,-73.12,-',
      '"dijo ""hola""",,,-x',
      'Ñandú =no,1,2,',
    ].join('\n');
    expect(await guard(`${csv}\n`, size)).toBe(
      [
        'name,lat,lng,note',
        '\'=HYPERLINK("http://x"),7.1,-73.11,ok',
        "'+57 300,-0.5,-1e3,'@cmd",
        '"\'=1+2,3",1,2,"\'-2+3+cmd|\' /C calc\'!A0"',
        '"\'\rtext",1,2,"\'\ttab"',
        "Parque San Pío,7.12,-73.12,'-",
        '"dijo ""hola""",,,\'-x',
        'Ñandú =no,1,2,',
      ].join('\n') + '\n',
    );
  });

  it('handles a risky last cell without a final line feed', async () => {
    await expect(guard('a,b\n1,-drop')).resolves.toBe("a,b\n1,'-drop");
    await expect(guard('a,b\n1,-42')).resolves.toBe('a,b\n1,-42');
  });
});
